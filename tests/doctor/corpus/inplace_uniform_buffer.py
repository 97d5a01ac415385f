"""Old-PyTorch style: a noise buffer filled in place with .data.uniform_(-1, 1) every iteration."""
# expect: T01=pass T02=pass T03=fail T04=pass T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T03=fail noise.data.uniform_(-1, 1) before netG(noise)
# reason: T02=pass errG = criterion(output, label) after label.data.fill_(real_label)
import torch
import torch.nn as nn
import torchvision.datasets as dset
import torchvision.transforms as transforms
from torch.autograd import Variable

nz, batchSize = 100, 64
real_label, fake_label = 1, 0
dataset = dset.LSUN("lsun", classes=["bedroom_train"], transform=transforms.Compose([transforms.Resize(64), transforms.CenterCrop(64), transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))]))
dataloader = torch.utils.data.DataLoader(dataset, batch_size=batchSize, shuffle=True)


class _netG(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(nn.ConvTranspose2d(nz, 256, 4, 1, 0), nn.BatchNorm2d(256), nn.ReLU(True), nn.ConvTranspose2d(256, 3, 4, 2, 1), nn.Tanh())

    def forward(self, input):
        return self.main(input)


class _netD(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(nn.Conv2d(3, 64, 4, 2, 1), nn.LeakyReLU(0.2, True), nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2, True), nn.Conv2d(128, 1, 2, 1, 0), nn.Sigmoid())

    def forward(self, input):
        return self.main(input).view(-1, 1).squeeze(1)


netG, netD = _netG(), _netD()
criterion = nn.BCELoss()
input = torch.FloatTensor(batchSize, 3, 64, 64)
noise = torch.FloatTensor(batchSize, nz, 1, 1)
label = torch.FloatTensor(batchSize)
optimizerD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
optimizerG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))

for epoch in range(25):
    for i, data in enumerate(dataloader, 0):
        netD.zero_grad()
        real_cpu, _ = data
        input.resize_as_(real_cpu).copy_(real_cpu)
        label.resize_(real_cpu.size(0)).fill_(real_label)
        output = netD(Variable(input))
        errD_real = criterion(output, Variable(label))
        errD_real.backward()
        noise.resize_(real_cpu.size(0), nz, 1, 1)
        noise.data.uniform_(-1, 1)
        fake = netG(Variable(noise))
        label.data.fill_(fake_label)
        output = netD(fake.detach())
        errD_fake = criterion(output, Variable(label))
        errD_fake.backward()
        optimizerD.step()
        netG.zero_grad()
        label.data.fill_(real_label)
        output = netD(fake)
        errG = criterion(output, Variable(label))
        errG.backward()
        optimizerG.step()

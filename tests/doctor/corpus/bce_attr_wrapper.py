"""Trainer class in the MNIST/CelebA repo style: self.BCE_loss set in __init__, y_real_/y_fake_ tensors."""
# expect: T01=pass T02=pass T03=pass T04=pass T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=pass G_loss = self.BCE_loss(D(G(z)), self.y_real_) with y_real_ = ones
# reason: T04=pass D has BatchNorm2d and is called on real and fake separately
import torch
import torch.nn as nn
import torch.optim as optim
from torchvision import datasets, transforms


class generator(nn.Module):
    def __init__(self, d=128):
        super(generator, self).__init__()
        self.deconv1 = nn.ConvTranspose2d(100, d * 4, 4, 1, 0)
        self.deconv1_bn = nn.BatchNorm2d(d * 4)
        self.deconv2 = nn.ConvTranspose2d(d * 4, d * 2, 4, 2, 1)
        self.deconv2_bn = nn.BatchNorm2d(d * 2)
        self.deconv3 = nn.ConvTranspose2d(d * 2, 1, 4, 2, 1)

    def forward(self, input):
        x = nn.functional.relu(self.deconv1_bn(self.deconv1(input)))
        x = nn.functional.relu(self.deconv2_bn(self.deconv2(x)))
        return torch.tanh(self.deconv3(x))


class discriminator(nn.Module):
    def __init__(self, d=128):
        super(discriminator, self).__init__()
        self.conv1 = nn.Conv2d(1, d * 2, 4, 2, 1)
        self.conv2 = nn.Conv2d(d * 2, d * 4, 4, 2, 1)
        self.conv2_bn = nn.BatchNorm2d(d * 4)
        self.conv3 = nn.Conv2d(d * 4, 1, 4, 1, 0)

    def forward(self, input):
        x = nn.functional.leaky_relu(self.conv1(input), 0.2)
        x = nn.functional.leaky_relu(self.conv2_bn(self.conv2(x)), 0.2)
        return torch.sigmoid(self.conv3(x))


class GANTrainer:
    def __init__(self, batch_size=128):
        self.batch_size = batch_size
        self.G = generator()
        self.D = discriminator()
        self.G_optimizer = optim.Adam(self.G.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.D_optimizer = optim.Adam(self.D.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.BCE_loss = nn.BCELoss()
        tf = transforms.Compose([transforms.Resize(16), transforms.ToTensor(), transforms.Normalize(mean=(0.5,), std=(0.5,))])
        self.data_loader = torch.utils.data.DataLoader(datasets.MNIST("data", train=True, download=True, transform=tf), batch_size=batch_size, shuffle=True)

    def train(self, epochs=20):
        self.y_real_ = torch.ones(self.batch_size)
        self.y_fake_ = torch.zeros(self.batch_size)
        for epoch in range(epochs):
            for x_, _ in self.data_loader:
                z_ = torch.randn((self.batch_size, 100)).view(-1, 100, 1, 1)
                self.D_optimizer.zero_grad()
                D_real = self.D(x_).squeeze()
                D_real_loss = self.BCE_loss(D_real, self.y_real_)
                G_ = self.G(z_)
                D_fake = self.D(G_.detach()).squeeze()
                D_fake_loss = self.BCE_loss(D_fake, self.y_fake_)
                D_loss = D_real_loss + D_fake_loss
                D_loss.backward()
                self.D_optimizer.step()

                self.G_optimizer.zero_grad()
                D_result = self.D(self.G(z_)).squeeze()
                G_loss = self.BCE_loss(D_result, self.y_real_)
                G_loss.backward()
                self.G_optimizer.step()


if __name__ == "__main__":
    GANTrainer().train()

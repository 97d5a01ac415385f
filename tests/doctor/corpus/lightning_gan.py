"""A LightningModule GAN: generator/discriminator attributes, configure_optimizers, manual steps."""
# expect: T01=pass T02=pass T03=pass T04=pass T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
import lightning as L
import torch
import torch.nn as nn
import torch.nn.functional as F


class Generator(nn.Module):
    def __init__(self, latent_dim=100, img_dim=784):
        super().__init__()
        self.model = nn.Sequential(nn.Linear(latent_dim, 256), nn.BatchNorm1d(256), nn.LeakyReLU(0.2),
                                   nn.Linear(256, img_dim), nn.Tanh())

    def forward(self, z):
        return self.model(z)


class Discriminator(nn.Module):
    def __init__(self, img_dim=784):
        super().__init__()
        self.model = nn.Sequential(nn.Linear(img_dim, 256), nn.BatchNorm1d(256), nn.LeakyReLU(0.2), nn.Linear(256, 1))

    def forward(self, img):
        return self.model(img.flatten(1))


class GAN(L.LightningModule):
    def __init__(self, latent_dim=100):
        super().__init__()
        self.automatic_optimization = False
        self.latent_dim = latent_dim
        self.generator = Generator(latent_dim)
        self.discriminator = Discriminator()

    def training_step(self, batch, batch_idx):
        imgs, _ = batch
        opt_g, opt_d = self.optimizers()
        z = torch.randn(imgs.shape[0], self.latent_dim).type_as(imgs)
        fake = self.generator(z)
        valid = torch.ones(imgs.size(0), 1).type_as(imgs)
        g_loss = F.binary_cross_entropy_with_logits(self.discriminator(fake), valid)
        opt_g.zero_grad(); self.manual_backward(g_loss); opt_g.step()
        zeros = torch.zeros(imgs.size(0), 1).type_as(imgs)
        real_loss = F.binary_cross_entropy_with_logits(self.discriminator(imgs), valid)
        fake_loss = F.binary_cross_entropy_with_logits(self.discriminator(fake.detach()), zeros)
        d_loss = (real_loss + fake_loss) / 2
        opt_d.zero_grad(); self.manual_backward(d_loss); opt_d.step()

    def configure_optimizers(self):
        opt_g = torch.optim.Adam(self.generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
        opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
        return [opt_g, opt_d]


class MNISTData(L.LightningDataModule):
    def train_dataloader(self):
        from torchvision.datasets import MNIST
        from torchvision import transforms
        tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
        return torch.utils.data.DataLoader(MNIST(".", transform=tf), batch_size=64)
